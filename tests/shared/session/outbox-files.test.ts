import { describe, expect, it } from 'vitest';
import type { LineFile, PublicMessage } from '../../../src-shared/protocol';
import { formatChatText } from '../../../src-shared/protocol';
import { Outbox } from '../../../src-shared/session';

/*
 * A line that carries a file (issue 14 §3) is told by the file's id when its echo comes:
 * with no text typed the server writes one of its own, so the text cannot tell it.
 */

const ME = 5;
const who = { userId: ME, userName: 'Аня', gender: 2 as const, userColor: '#16a085' };
const file = (fileId: string, name: string): LineFile => ({ fileId, name, size: 10, type: 'image/png', url: `/files/${fileId}`, width: 2, height: 2 });
const echo = (text: string, withFile?: LineFile): PublicMessage => ({
  action: 'PublicMessage',
  ...who,
  text: formatChatText(text),
  ...(withFile === undefined ? {} : { file: withFile }),
});

describe('Outbox lines with files', () => {
  it('takes the echo of a file line by its file id, whatever text the server wrote for it', () => {
    const box = new Outbox();
    const pending = box.add('', 0, 1, 0, undefined, undefined, { fileId: 'F1', name: 'a.png' })!;
    expect(pending.file).toEqual({ fileId: 'F1', name: 'a.png' });
    box.markSent(pending.id, true);
    expect(box.takeEcho(echo('📎 a.png (10 B) /files/F2', file('F2', 'a.png')), ME)).toBe(false);
    expect(box.takeEcho(echo('📎 a.png (10 B) /files/F1', file('F1', 'a.png')), ME)).toBe(true);
    expect(box.size).toBe(0);
  });

  it('a text line is not taken by a file line with the same text, nor a file line by a text line', () => {
    const box = new Outbox();
    const text = box.add('look', 0, 1)!;
    box.markSent(text.id, true);
    expect(box.takeEcho(echo('look', file('F3', 'b.png')), ME)).toBe(false);
    expect(box.size).toBe(1);
    expect(box.takeEcho(echo('look'), ME)).toBe(true);

    const again = new Outbox();
    const onlyFile = again.add('', 0, 1, 0, undefined, undefined, { fileId: 'F4', name: 'c.png' })!;
    again.markSent(onlyFile.id, true);
    expect(again.takeEcho(echo(''), ME)).toBe(false);
    expect(again.size).toBe(1);
  });

  it('a resumed session finds its file line in the History by the file id', () => {
    const box = new Outbox();
    const pending = box.add('', 0, 1, 0, undefined, undefined, { fileId: 'F5', name: 'd.png' })!;
    box.markSent(pending.id, true);
    box.connectionLost();
    expect(box.takeHistory([echo('📎 d.png (10 B) /files/F5', file('F5', 'd.png'))], ME)).toBe(true);
    expect(box.size).toBe(0);
  });
});
