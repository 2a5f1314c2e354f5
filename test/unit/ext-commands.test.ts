/** The command table (src/extension/commandIds.ts) against package.json, and how a command finds its spec. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMAND, findSpec } from '../../src/extension/commandIds';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
  contributes: { commands: { command: string; category?: string }[]; menus: Record<string, { command: string }[]> };
};

describe('command IDs', () => {
  it('are exactly the commands package.json contributes, each with the NNSpec category', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    expect(Object.values(COMMAND).sort()).toEqual(contributed);
    for (const c of manifest.contributes.commands) expect(c.category, c.command).toBe('NNSpec');
  });

  it('every menu entry names a known command', () => {
    const known = new Set<string>(Object.values(COMMAND));
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) expect(known.has(entry.command), `${menu}: ${entry.command}`).toBe(true);
    }
  });

  it('the session commands stay in the palette while the training panel has the focus', () => {
    const palette = manifest.contributes.menus.commandPalette as { command: string; when?: string }[];
    for (const id of [COMMAND.train, COMMAND.step, COMMAND.stepEpoch, COMMAND.reset, COMMAND.inspectGradients, COMMAND.saveWeights, COMMAND.predict, COMMAND.restart]) {
      const when = palette.find((p) => p.command === id)?.when ?? '';
      expect(when, id).toContain("activeWebviewPanelId == 'nnspec.training'");
    }
    // Pause and Stop depend only on a session (the panel's or the editor's).
    expect(palette.find((p) => p.command === COMMAND.pause)?.when).toBe('nnspec.sessionRunning');
    expect(palette.find((p) => p.command === COMMAND.stop)?.when).toBe('nnspec.hasSession');
  });
});

describe('where a command finds its spec', () => {
  it('the focused panel first, then the active spec editor, then the only session', () => {
    expect(findSpec({ focusedPanel: 'panel.nnspec', activeEditor: 'editor.nnspec', sessions: ['a', 'b'] })).toBe('panel.nnspec');
    expect(findSpec({ focusedPanel: undefined, activeEditor: 'editor.nnspec', sessions: ['a'] })).toBe('editor.nnspec');
    expect(findSpec({ focusedPanel: undefined, activeEditor: undefined, sessions: ['a'] })).toBe('a');
    expect(findSpec({ focusedPanel: undefined, activeEditor: undefined, sessions: ['a', 'b'] })).toBeUndefined();
    expect(findSpec({ focusedPanel: undefined, activeEditor: undefined, sessions: [] })).toBeUndefined();
  });
});
