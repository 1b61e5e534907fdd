import { z } from 'zod';
import { boundedDuration, longestTimerMs, severity, timeRange } from '../config/fields.ts';
import { topicNames } from '../incidents/topics.ts';

const chatIdMessage = 'must be a chat id like -1001234567890 or @channel';
const chat = z.strictObject({
  id: z
    .union([z.number().int(), z.string().regex(/^(-?\d+|@\w+)$/, chatIdMessage)], { error: chatIdMessage })
    .transform(String),
  thread: z.number().int().positive().optional(),
  minSeverity: severity.default('info'),
});

/** `telegram`: where alerts go and how they ring. No token means dry-run (alerts go to the log). */
export const telegramSchema = z
  .strictObject({
    token: z.string().optional(),
    apiRoot: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://api.telegram.org'),
    chats: z.array(chat).default([]),
    admins: z.array(z.number().int()).default([]),
    locale: z.enum(['en', 'ko'], { error: 'must be en or ko' }).default('en'),
    quietHours: timeRange.optional(),
    repeat: boundedDuration('1h', { min: 60_000, max: longestTimerMs }).prefault('1h'),
    resolvedSound: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .prefault({})
  .transform(({ token, repeat, ...rest }) => ({
    ...rest,
    token: token?.trim() || null,
    repeatMs: repeat,
  }));

/** `runbooks`: where the runbook pages linked from alerts are published, with per-topic overrides. */
export const runbooksSchema = z
  .strictObject({
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    links: z
      .partialRecord(
        z.enum(topicNames, { error: `must be a topic: ${topicNames.join(', ')}` }),
        z.url({ error: 'must be a URL' }),
      )
      .default({}),
  })
  .prefault({})
  .transform(({ baseUrl, links }) => ({ baseUrl: baseUrl ?? null, links }));
