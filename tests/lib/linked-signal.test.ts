import { describe, expect, it } from 'vitest';
import { linkedSignal } from '../../src/lib/linked-signal.ts';

describe('linked signal', () => {
  it('aborts with a parent, with its reason', () => {
    const parent = new AbortController();
    const linked = linkedSignal([undefined, parent.signal]);
    parent.abort(new Error('stopping'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('stopping');
    expect(linked.timedOut()).toBe(false);
  });

  it('is aborted at once when a parent already is', () => {
    const parent = new AbortController();
    parent.abort();
    expect(linkedSignal([parent.signal], 1000).signal.aborted).toBe(true);
  });

  it('aborts after its timeout and says so', async () => {
    const linked = linkedSignal([new AbortController().signal], 20);
    await new Promise((r) => linked.signal.addEventListener('abort', r, { once: true }));
    expect(linked.signal.aborted).toBe(true);
    expect(linked.timedOut()).toBe(true);
  });

  // AbortSignal.any would keep all 1000 reachable from the parent on Node 20; here none stays attached
  it('lets go of a long-lived parent once disposed', () => {
    const parent = new AbortController();
    for (let i = 0; i < 1000; i++) linkedSignal([parent.signal], 5000).dispose();
    const late = linkedSignal([parent.signal]);
    late.dispose();
    parent.abort();
    expect(late.signal.aborted).toBe(false);
  });
});
