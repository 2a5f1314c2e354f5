/**
 * Number formatting shared by the status line, the tooltip, the legends and the aria labels:
 * the project's one formatter (src/core/format.ts), which the CLI, the hovers, the status bar
 * and the code lens use too. Pure (no DOM): the tests import it to build the exact strings they expect.
 */
export { MINUS, formatCount, formatNumber, formatPercent } from '../src/core/format';
