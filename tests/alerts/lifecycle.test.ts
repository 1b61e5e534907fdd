import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { incidentHistory } from '../../src/store/incidents.ts';
import { startFakeTelegram, type FakeTelegram } from '../fixtures/fake-telegram.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { until } from '../helpers/until.ts';

const dialects = ['sqlite', 'postgres'] as const;

describe.each(dialects)('alert lifecycle (%s store)', (dialect) => {
  let fake: FakeTelegram;
  let h: Harness;

  beforeEach(async () => {
    fake = await startFakeTelegram({ chats: [42, -1001] });
    h = await createHarness({
      fake,
      dir: tempDir(),
      dialect,
      telegram: 'chats: [{ id: 42 }, { id: -1001, thread: 7, minSeverity: critical }]',
    });
    await h.start();
  });
  afterEach(async () => {
    await h.stop();
    await fake.close();
  });

  const outbox = () => h.store.db.selectFrom('outbox').selectAll().orderBy('id').execute();

  it('sends a new incident to every chat whose minSeverity it meets, and stores the message_id', async () => {
    await h.incidents.report('service-down:api', { detail: 'connection refused' });
    await h.incidents.report('disk-usage:/', { detail: '85% used' });
    await fake.waitForMessages(3);
    expect(fake.messagesTo(-1001)).toHaveLength(1);
    expect(fake.messagesTo(-1001)[0]).toMatchObject({ threadId: 7, parseMode: 'HTML' });
    expect(fake.messagesTo(42).map((m) => m.plainText.split('\n')[0])).toEqual([
      '🔴 Service down · api',
      '🟠 Disk filling up · /',
    ]);
    expect(fake.messagesTo(42)[0]!.replyMarkup).toEqual({
      inline_keyboard: [
        [{ text: '📖 Runbook', url: 'https://github.com/acme/warden/blob/main/docs/runbook/service-down.md' }],
      ],
    });
    await until(async () => (await outbox()).every((r) => r.state === 'sent'));
    expect((await outbox()).map((r) => [r.chat_id, r.message_id])).toEqual([
      ['42', '1'],
      ['-1001', '1'],
      ['42', '2'],
    ]);
  });

  it('sends nothing new for a repeat; a resolution edits the alert and replies under it', async () => {
    await h.incidents.report('service-down:api', { detail: 'connection refused' });
    await fake.waitForMessages(2);
    const repeat = await h.incidents.report('service-down:api', { detail: 'connection refused' });
    expect(repeat.kind).toBe('updated');
    expect(repeat.incident.count).toBe(2);
    await h.incidents.resolve('service-down:api');
    await fake.waitForMessages(4);
    await fake.waitFor(() => fake.messages.every((m) => m.replyTo !== null || m.edits.length === 1), 5000, 'edits');
    for (const chat of [42, -1001]) {
      const [alert, reply] = fake.messagesTo(chat);
      // (real time: on a loaded machine the resolution may come a second or two after the report)
      expect(alert!.edits.at(-1)!.plainText).toMatch(/^✅ Resolved after (<1s|\ds)\n🔴 Service down · api/);
      expect(reply).toMatchObject({ replyTo: alert!.messageId, disableNotification: true });
      // a critical gone within a minute with no action is called a blip; resolved replies are silent
      expect(reply!.plainText).toMatch(
        /^✅ Resolved: Service down · api after (<1s|\ds)\nIt recovered by itself within a minute; warden took no action\. Worth a look if it repeats\.$/,
      );
    }
    expect(fake.messages).toHaveLength(4);
    const id = repeat.incident.id;
    expect((await incidentHistory(h.store.db, id)).map((e) => e.event)).toEqual(['opened', 'resolved']);
  });

  it('edits the alert when warden acts or someone acknowledges, and reopens as a new incident later', async () => {
    await h.incidents.report('service-down:api', { detail: 'down' });
    await fake.waitForMessages(2);
    await h.incidents.recordAction('service-down:api', { kind: 'restart', ok: true, detail: 'pm2 restart api' });
    await fake.waitFor(() => fake.messagesTo(42)[0]!.edits.length === 1, 5000, 'action edit');
    expect(fake.messagesTo(42)[0]!.edits[0]!.plainText).toContain('🛠 restarted 1× — last at');
    const ack = await h.incidents.acknowledge('service-down:api', '@kim');
    expect(ack?.incident.state).toBe('acknowledged');
    await fake.waitFor(() => fake.messagesTo(42)[0]!.edits.length === 2, 5000, 'ack edit');
    expect(fake.messagesTo(42)[0]!.edits[1]!.plainText).toMatch(/^👀 Acknowledged by @kim at/);
    await h.incidents.resolve('service-down:api');
    const again = await h.incidents.report('service-down:api', { detail: 'down again' });
    expect(again.kind).toBe('opened');
    expect(again.incident.id).not.toBe(ack?.incident.id);
    await fake.waitFor(() => fake.messagesTo(42).length === 3, 5000, 'second alert');
  });

  it('escalates a warning to critical with a ringing reply under its alert, and the critical-only chat gets a page', async () => {
    await h.incidents.report('disk-usage:/', { detail: '85%', severity: 'warning' });
    await fake.waitForMessages(1);
    await h.idle();
    const change = await h.incidents.report('disk-usage:/', { detail: '93%', severity: 'critical' });
    expect(change.kind).toBe('escalated');
    await fake.waitForMessages(3);
    expect(fake.messagesTo(-1001)[0]!.plainText).toMatch(/^🔴 Disk filling up · \/\nCRITICAL/);
    const [page, reply] = fake.messagesTo(42);
    expect(reply).toMatchObject({ replyTo: page!.messageId, disableNotification: false });
    expect(reply!.plainText).toBe('🔺 Now: Disk filling up · /\n93%');
    await fake.waitFor(() => page!.edits.length === 1, 5000, 'the page edited');
    expect(page!.edits[0]!.plainText).toMatch(/^🔴 Disk filling up · \/\nCRITICAL/);
  });

  it('keeps suppressed (dependsOn) incidents quiet until the parent resolves first', async () => {
    await h.incidents.report('service-down:api', { detail: 'db gone', parentKey: 'db-down:main' });
    await h.idle();
    expect(fake.messages).toHaveLength(0);
    await h.incidents.report('service-down:api', { detail: 'still down', parentKey: null });
    await fake.waitForMessages(2);
    expect(fake.messagesTo(42)[0]!.plainText).toContain('still down');
  });

  it('holds back alerts for a silenced target but still records the incident', async () => {
    await h.store.db
      .insertInto('silences')
      .values({ target: 'api', until: Date.now() + 60_000, reason: 'deploy', created_at: Date.now() })
      .execute();
    const change = await h.incidents.report('service-down:api', { detail: 'down' });
    await h.incidents.report('service-down:web', { detail: 'down' });
    await fake.waitForMessages(2);
    await h.idle();
    expect(fake.messages.map((m) => m.plainText.split('\n')[0])).toEqual([
      '🔴 Service down · web',
      '🔴 Service down · web',
    ]);
    expect(change.incident.state).toBe('open');
  });

  it('alerts about an incident still open when its silence expires', async () => {
    await h.store.db
      .insertInto('silences')
      .values({ target: 'api', until: Date.now() + 60_000, reason: 'deploy', created_at: Date.now() })
      .execute();
    await h.incidents.report('service-down:api', { detail: 'down' });
    await h.store.db
      .updateTable('silences')
      .set({ until: Date.now() - 1 })
      .execute();
    await h.incidents.report('service-down:api', { detail: 'still down' });
    await fake.waitForMessages(2);
    expect(fake.messagesTo(42)[0]!.plainText).toContain('still down');
    await h.incidents.report('service-down:api', { detail: 'still down' });
    await h.idle();
    expect(fake.messages).toHaveLength(2);
  });
});
