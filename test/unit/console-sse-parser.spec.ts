import { SseParser } from '../../console/src/live/stream';

function parse(chunks: string[]) {
  const events: { type: string; data: string }[] = [];
  const parser = new SseParser((type, data) => events.push({ type, data }));
  for (const c of chunks) parser.push(c);
  return { events, lastEventId: parser.lastEventId };
}

describe("the console's event-stream parser", () => {
  test('frames split anywhere, CRLF or LF, comments and id-only heartbeats', () => {
    const text = 'id: 7\nevent: conversation.created\ndata: {"id":"7"}\n\n: heartbeat\nid: 9\n\nid: 10\r\nevent: ready\r\ndata: {"a":\r\ndata: 1}\r\n\r\n';
    for (const size of [1, 3, 7, text.length]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      const { events, lastEventId } = parse(chunks);
      expect(events).toEqual([
        { type: 'conversation.created', data: '{"id":"7"}' },
        { type: 'ready', data: '{"a":\n1}' },
      ]);
      expect(lastEventId).toBe('10');
    }
  });

  test('a frame without its blank line yet is not dispatched; the heartbeat moves the position', () => {
    expect(parse(['id: 3\nevent: x\ndata: 1\n']).events).toEqual([]);
    expect(parse([': heartbeat\nid: 42\n\n']).lastEventId).toBe('42');
  });
});
