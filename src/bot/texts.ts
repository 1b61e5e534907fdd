import type { Locale } from '../alerts/render/context.ts';

/**
 * The bot's words in one language. Arguments arrive already escaped and results are HTML fragments,
 * so static text here must not contain `<`, `>` or `&`.
 * @example bot.en.acknowledged('#12', 'service-down:api') // '👀 Acknowledged #12 <code>service-down:api</code>'
 */
export interface BotTexts {
  commands: Record<CommandName, string>;
  refused: string;
  refusedButton: string;
  usage(usage: string): string;
  unknownCommand(name: string): string;
  failed: string;
  statusTitle(host: string): string;
  /** The other hosts of a fleet on the same store: one line each. */
  fleet: string;
  fleetHost(host: string, state: string, seen: string, failing: number, services: number, open: number): string;
  services: string;
  incidents: string;
  silences: string;
  disk: string;
  backups: string;
  noneOpen: string;
  notCheckedYet: string;
  noIncidents: string;
  more(count: number): string;
  acknowledged(ref: string, key: string): string;
  noSuchIncident(ref: string): string;
  alreadyAcknowledged(ref: string, by: string | null): string;
  alreadyResolved(ref: string): string;
  unknownTarget(target: string, known: string): string;
  badDuration(text: string): string;
  silenced(target: string, duration: string, until: string): string;
  unsilenced(target: string): string;
  notSilenced(target: string): string;
  unknownService(name: string, known: string): string;
  restartConfirm(service: string, how: string): string;
  restartButton(service: string): string;
  cancelButton: string;
  cancelled: string;
  restartNotPossible(service: string, why: string): string;
  restarted(service: string, detail: string, by: string, at: string): string;
  restartFailed(service: string, detail: string, by: string, at: string): string;
  /** `/restart HOST/SERVICE` for another host of the fleet: that host's config says how. */
  restartConfirmOn(service: string, host: string): string;
  unknownHost(host: string, known: string): string;
  restartAmbiguous(service: string, hosts: string, example: string): string;
  /** Shown while the leader waits for another host's restart. */
  restartAsking(service: string, host: string): string;
  /** The owning host never took the request (the leader waited `waited`); nothing ran. */
  restartNotTaken(service: string, host: string, waited: string): string;
  /** The owning host took the request but wrote no outcome in time. */
  restartNoResult(service: string, host: string, waited: string): string;
  noBackupTargets: string;
  unknownBackupTarget(name: string, known: string): string;
  backupStarted(targets: string): string;
  backupGood(target: string, id: number, size: string, took: string, file: string): string;
  backupFailed(target: string, detail: string): string;
  noLogs(service: string, why: string): string;
  logsTitle(service: string, lines: number, file: string): string;
  help: string;
  answerAcknowledged: string;
  answerSilenced: string;
  answerRestarted: string;
  answerRestartFailed: string;
  answerRestartAsked: string;
  answerUnknown: string;
  answerNotApplicable: string;
  digestTitle(host: string, day: string): string;
  digestAllWell: string;
  digestAvailability: string;
  digestOpened(opened: number, resolved: number, open: number): string;
  digestRestarts(count: number): string;
  digestBackups: string;
  /** A backup that passed verification (state `good`). */
  digestVerified: string;
  digestDisk: string;
  digestChartCaption(host: string): string;
}

export type CommandName =
  'status' | 'incidents' | 'ack' | 'silence' | 'unsilence' | 'restart' | 'backup' | 'logs' | 'help';

const en: BotTexts = {
  commands: {
    status: 'services, open incidents, disk and backups on one screen',
    incidents: 'open incidents',
    ack: 'ID — acknowledge an incident (reminders stop)',
    silence: 'TARGET DURATION — hold back alerts and restarts, e.g. api 30m',
    unsilence: 'TARGET — lift a silence',
    restart: 'SERVICE or HOST/SERVICE — restart a service (asks to confirm)',
    backup: '[TARGET] — run a backup now',
    logs: 'SERVICE [N] — the last N log lines (secrets masked)',
    help: 'what the bot can do',
  },
  refused: '🚫 Sorry, only warden admins can use this bot here.',
  refusedButton: 'Only warden admins can do this.',
  usage: (usage) => `Usage: <code>${usage}</code>`,
  unknownCommand: (name) => `Unknown command /${name}. /help lists what I can do.`,
  failed: '⚠️ That did not work; the reason is in warden’s log.',
  statusTitle: (host) => `📋 <b>warden on ${host}</b>`,
  fleet: 'Other hosts',
  fleetHost: (host, state, seen, failing, services, open) =>
    `🖥 <b>${host}</b> ${state} · seen ${seen} · ${services - failing}/${services} services ok · ${open} open`,
  services: 'Services',
  incidents: 'Open incidents',
  silences: 'Silenced',
  disk: 'Disk',
  backups: 'Last backups',
  noneOpen: '✅ none',
  notCheckedYet: 'not checked yet',
  noIncidents: '✅ No open incidents.',
  more: (count) => `…and ${count} more`,
  acknowledged: (ref, key) => `👀 Acknowledged ${ref} <code>${key}</code>: reminders stop.`,
  noSuchIncident: (ref) => `No open incident ${ref}. /incidents lists them.`,
  alreadyAcknowledged: (ref, by) => `${ref} is already acknowledged${by ? ` by ${by}` : ''}.`,
  alreadyResolved: (ref) => `${ref} is already resolved; nothing to do.`,
  unknownTarget: (target, known) =>
    `"${target}" is not a service, backup target, topic or incident key. Services: ${known}`,
  badDuration: (text) => `"${text}" is not a duration; write it like 30m, 2h or 1d.`,
  silenced: (target, duration, until) => `🔕 Silenced <code>${target}</code> for ${duration}, until ${until}.`,
  unsilenced: (target) => `🔔 Silence on <code>${target}</code> lifted.`,
  notSilenced: (target) => `<code>${target}</code> was not silenced.`,
  unknownService: (name, known) => `No service "${name}". Services: ${known}`,
  restartConfirm: (service, how) => `Restart <code>${service}</code> now (${how})?`,
  restartButton: (service) => `🔄 Restart ${service}`,
  cancelButton: 'Cancel',
  cancelled: 'Cancelled; nothing was restarted.',
  restartNotPossible: (service, why) => `Cannot restart <code>${service}</code>: ${why}`,
  restarted: (service, detail, by, at) => `🔄 <code>${service}</code> restarted by ${by} at ${at} (${detail}).`,
  restartFailed: (service, detail, by, at) =>
    `⚠️ Restart of <code>${service}</code> by ${by} at ${at} failed: ${detail}`,
  restartConfirmOn: (service, host) =>
    `Restart <code>${service}</code> on <code>${host}</code> now (as ${host}'s config says)?`,
  unknownHost: (host, known) => `No host "${host}" in this fleet. Hosts: ${known}`,
  restartAmbiguous: (service, hosts, example) =>
    `<code>${service}</code> runs on several hosts: ${hosts}. Name one: <code>${example}</code>`,
  restartAsking: (service, host) => `⏳ Asked <code>${host}</code> to restart <code>${service}</code>…`,
  restartNotTaken: (service, host, waited) =>
    `⚠️ Nothing restarted: <code>${host}</code> did not pick up the restart of <code>${service}</code> within ${waited}. Is it down? See the host-down runbook and /status.`,
  restartNoResult: (service, host, waited) =>
    `⚠️ <code>${host}</code> took the restart of <code>${service}</code> but reported no result within ${waited}; see /status and its log.`,
  noBackupTargets: 'No backup targets are configured (backups.targets).',
  unknownBackupTarget: (name, known) => `No backup target "${name}". Targets: ${known}`,
  backupStarted: (targets) => `⏳ Backing up ${targets}… I will reply when it is done.`,
  backupGood: (target, id, size, took, file) =>
    `✅ <code>${target}</code> #${id} good and verified: ${size} in ${took} (<code>${file}</code>)`,
  backupFailed: (target, detail) => `❌ Backup of <code>${target}</code> failed: ${detail}`,
  noLogs: (service, why) => `No logs for <code>${service}</code>: ${why}`,
  logsTitle: (service, lines, file) => `📜 <b>${service}</b>: last ${lines} lines of <code>${file}</code>`,
  help: [
    '<b>warden bot</b>',
    '/status — services, incidents, disk, backups',
    '/incidents — open incidents',
    '/ack ID — acknowledge (reminders stop)',
    '/silence TARGET DURATION — e.g. /silence api 30m',
    '/unsilence TARGET',
    '/restart SERVICE or HOST/SERVICE — asks to confirm',
    '/backup [TARGET]',
    '/logs SERVICE [N] — last N lines, secrets masked',
    'Alerts carry buttons: Ack, Silence 1h, Restart now.',
  ].join('\n'),
  answerAcknowledged: 'Acknowledged: reminders stop.',
  answerSilenced: 'Silenced for 1h.',
  answerRestarted: 'Restarted.',
  answerRestartFailed: 'The restart failed; see the alert.',
  answerRestartAsked: 'Asked its host; the result follows in the chat.',
  answerUnknown: 'This button is no longer valid.',
  answerNotApplicable: 'That does not apply to this incident.',
  digestTitle: (host, day) => `📊 <b>Daily digest</b> · ${host} · ${day}`,
  digestAllWell: '✅ All is well: no incidents in the last 24 h.',
  digestAvailability: 'Availability (24 h)',
  digestOpened: (opened, resolved, open) => `Incidents: ${opened} opened, ${resolved} resolved, ${open} still open`,
  digestRestarts: (count) => `Restarts: ${count}`,
  digestBackups: 'Backups',
  digestVerified: 'verified',
  digestDisk: 'Disk (7 days)',
  digestChartCaption: (host) => `📊 ${host}: availability (24 h) and disk use (7 days)`,
};

const ko: BotTexts = {
  commands: {
    status: '서비스, 열린 장애, 디스크, 백업을 한 화면에',
    incidents: '열린 장애 목록',
    ack: 'ID — 장애 확인 (알림 반복 중지)',
    silence: '대상 기간 — 알림과 재시작 보류, 예: api 30m',
    unsilence: '대상 — 보류 해제',
    restart: '서비스 또는 호스트/서비스 — 서비스 재시작 (확인 후)',
    backup: '[대상] — 지금 백업 실행',
    logs: '서비스 [N] — 마지막 N줄 로그 (비밀값 가림)',
    help: '봇 사용법',
  },
  refused: '🚫 죄송합니다. 이 봇은 warden 관리자만 사용할 수 있습니다.',
  refusedButton: 'warden 관리자만 할 수 있습니다.',
  usage: (usage) => `사용법: <code>${usage}</code>`,
  unknownCommand: (name) => `알 수 없는 명령 /${name}. /help 를 보세요.`,
  failed: '⚠️ 실패했습니다. 이유는 warden 로그에 있습니다.',
  statusTitle: (host) => `📋 <b>${host}의 warden</b>`,
  fleet: '다른 호스트',
  fleetHost: (host, state, seen, failing, services, open) =>
    `🖥 <b>${host}</b> ${state} · ${seen} 확인 · 서비스 ${services - failing}/${services} 정상 · 열린 장애 ${open}`,
  services: '서비스',
  incidents: '열린 장애',
  silences: '보류 중',
  disk: '디스크',
  backups: '최근 백업',
  noneOpen: '✅ 없음',
  notCheckedYet: '아직 검사 전',
  noIncidents: '✅ 열린 장애가 없습니다.',
  more: (count) => `…외 ${count}건`,
  acknowledged: (ref, key) => `👀 ${ref} <code>${key}</code> 확인함: 알림 반복이 멈춥니다.`,
  noSuchIncident: (ref) => `열린 장애 ${ref}이(가) 없습니다. /incidents 를 보세요.`,
  alreadyAcknowledged: (ref, by) => `${ref}은(는) 이미 확인되었습니다${by ? ` (${by})` : ''}.`,
  alreadyResolved: (ref) => `${ref}은(는) 이미 해결되었습니다.`,
  unknownTarget: (target, known) => `"${target}"은(는) 서비스, 백업 대상, 주제, 장애 키가 아닙니다. 서비스: ${known}`,
  badDuration: (text) => `"${text}"은(는) 기간이 아닙니다. 30m, 2h, 1d 처럼 쓰세요.`,
  silenced: (target, duration, until) => `🔕 <code>${target}</code> ${duration} 동안 보류, ${until}까지.`,
  unsilenced: (target) => `🔔 <code>${target}</code> 보류 해제.`,
  notSilenced: (target) => `<code>${target}</code>은(는) 보류 중이 아니었습니다.`,
  unknownService: (name, known) => `서비스 "${name}"이(가) 없습니다. 서비스: ${known}`,
  restartConfirm: (service, how) => `<code>${service}</code>을(를) 지금 재시작할까요? (${how})`,
  restartButton: (service) => `🔄 ${service} 재시작`,
  cancelButton: '취소',
  cancelled: '취소했습니다. 재시작하지 않았습니다.',
  restartNotPossible: (service, why) => `<code>${service}</code>을(를) 재시작할 수 없습니다: ${why}`,
  restarted: (service, detail, by, at) => `🔄 ${by}이(가) ${at}에 <code>${service}</code> 재시작 (${detail}).`,
  restartFailed: (service, detail, by, at) => `⚠️ ${by}의 ${at} <code>${service}</code> 재시작 실패: ${detail}`,
  restartConfirmOn: (service, host) =>
    `<code>${host}</code>의 <code>${service}</code>을(를) 지금 재시작할까요? (${host}의 설정대로)`,
  unknownHost: (host, known) => `이 플릿에 호스트 "${host}"이(가) 없습니다. 호스트: ${known}`,
  restartAmbiguous: (service, hosts, example) =>
    `<code>${service}</code>은(는) 여러 호스트에 있습니다: ${hosts}. 하나를 지정하세요: <code>${example}</code>`,
  restartAsking: (service, host) => `⏳ <code>${host}</code>에 <code>${service}</code> 재시작을 요청했습니다…`,
  restartNotTaken: (service, host, waited) =>
    `⚠️ 재시작하지 않았습니다: <code>${host}</code>이(가) ${waited} 안에 <code>${service}</code> 재시작 요청을 가져가지 않았습니다. 호스트가 다운되었나요? host-down 런북과 /status를 보세요.`,
  restartNoResult: (service, host, waited) =>
    `⚠️ <code>${host}</code>이(가) <code>${service}</code> 재시작 요청을 가져갔지만 ${waited} 안에 결과가 없습니다. /status와 로그를 보세요.`,
  noBackupTargets: '백업 대상이 설정되지 않았습니다 (backups.targets).',
  unknownBackupTarget: (name, known) => `백업 대상 "${name}"이(가) 없습니다. 대상: ${known}`,
  backupStarted: (targets) => `⏳ ${targets} 백업 중… 끝나면 알려 드립니다.`,
  backupGood: (target, id, size, took, file) =>
    `✅ <code>${target}</code> #${id} 백업 완료, 검증됨: ${size}, ${took} 걸림 (<code>${file}</code>)`,
  backupFailed: (target, detail) => `❌ <code>${target}</code> 백업 실패: ${detail}`,
  noLogs: (service, why) => `<code>${service}</code> 로그 없음: ${why}`,
  logsTitle: (service, lines, file) => `📜 <b>${service}</b>: <code>${file}</code>의 마지막 ${lines}줄`,
  help: [
    '<b>warden 봇</b>',
    '/status — 서비스, 장애, 디스크, 백업',
    '/incidents — 열린 장애',
    '/ack ID — 확인 (알림 반복 중지)',
    '/silence 대상 기간 — 예: /silence api 30m',
    '/unsilence 대상',
    '/restart 서비스 또는 호스트/서비스 — 확인 후 재시작',
    '/backup [대상]',
    '/logs 서비스 [N] — 마지막 N줄, 비밀값 가림',
    '알림의 버튼: 확인, 1시간 보류, 지금 재시작.',
  ].join('\n'),
  answerAcknowledged: '확인했습니다. 알림 반복이 멈춥니다.',
  answerSilenced: '1시간 동안 보류합니다.',
  answerRestarted: '재시작했습니다.',
  answerRestartFailed: '재시작에 실패했습니다. 알림을 보세요.',
  answerRestartAsked: '해당 호스트에 요청했습니다. 결과는 채팅에 나옵니다.',
  answerUnknown: '더 이상 유효하지 않은 버튼입니다.',
  answerNotApplicable: '이 장애에는 해당하지 않습니다.',
  digestTitle: (host, day) => `📊 <b>일일 요약</b> · ${host} · ${day}`,
  digestAllWell: '✅ 이상 없음: 지난 24시간 동안 장애가 없었습니다.',
  digestAvailability: '가용성 (24시간)',
  digestOpened: (opened, resolved, open) => `장애: ${opened}건 발생, ${resolved}건 해결, ${open}건 진행 중`,
  digestRestarts: (count) => `재시작: ${count}회`,
  digestBackups: '백업',
  digestVerified: '검증됨',
  digestDisk: '디스크 (7일)',
  digestChartCaption: (host) => `📊 ${host}: 가용성 (24시간), 디스크 사용량 (7일)`,
};

/** Bot texts by `telegram.locale`. */
export const botTexts: Record<Locale, BotTexts> = { en, ko };
