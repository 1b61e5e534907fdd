import { formatDuration } from '../../../config/units.ts';
import type { Topic } from '../../../incidents/topics.ts';
import type { Texts } from './texts.ts';

const titles: Record<Topic, string> = {
  'service-down': '서비스 중단',
  'service-crashed': '서비스가 비정상 종료되어 pm2가 재시작함',
  'crash-loop': '서비스가 반복해서 충돌함',
  'restart-gave-up': '재시작 중단: 사람의 조치가 필요함',
  'db-down': '데이터베이스에 연결할 수 없음',
  'disk-usage': '디스크 사용량 높음',
  'disk-forecast': '디스크가 곧 가득 찰 것으로 예상됨',
  'log-size': '로그 파일이 너무 큼',
  'log-errors': '로그에 오류가 발생함',
  'backup-failed': '백업 실패',
  'backup-stale': '백업이 오래됨',
  'alert-delivery': '알림이 전달되지 않음',
  'warden-restarted': 'warden이 비정상 종료 후 다시 시작됨',
  'host-memory': '호스트 메모리 부족',
  'host-load': '호스트 부하 높음',
  'host-down': '플릿 호스트의 보고가 끊김',
};

/** The first step of each topic; the same line opens the Korean runbook page's "먼저 확인할 것". */
export const firstSteps: Record<Topic, string> = {
  'service-down':
    '`warden status`로 모든 서비스의 마지막 검사 결과를 보고, warden 폴더에서 `npm run pm2 -- logs {subject} --lines 100`으로 앱 자체의 오류를 확인하세요.',
  'service-crashed':
    'warden 폴더에서 `npm run pm2 -- logs {subject} --err --lines 100`을 실행하세요. 종료 직전의 오류가 끝에 있습니다.',
  'crash-loop':
    'warden 폴더에서 `npm run pm2 -- logs {subject} --err --lines 200`을 실행하세요. 매번 같은 오류로 시작에 실패합니다.',
  'restart-gave-up':
    'warden 폴더에서 `npm run pm2 -- describe {subject}`와 `npm run pm2 -- logs {subject} --err --lines 200`을 실행하세요. warden은 재시작을 멈췄고 원인은 사람이 고쳐야 합니다.',
  'db-down':
    '`pg_isready -h 127.0.0.1 -p 5432`(호스트와 포트는 검사 설정의 값)를 실행하세요. PostgreSQL이 연결을 받고 있나요?',
  'disk-usage':
    '`df -h {subject}`와 `du -xh --max-depth=1 {subject} | sort -h | tail -15`로 무엇이 공간을 채웠는지 찾으세요.',
  'disk-forecast':
    '`du -xh --max-depth=2 {subject} | sort -h | tail -15`를 지금 한 번, 10분 뒤에 한 번 실행하세요. 커지는 폴더가 원인입니다.',
  'log-size': '`ls -lh {subject}`를 10초 간격으로 두 번, `tail -n 50 {subject}`로 무엇이 쏟아지는지 보세요.',
  'log-errors':
    '이 알림의 일치한 줄을 읽고, warden 폴더에서 `npm run pm2 -- logs --err --lines 200`으로 앞뒤 맥락을 보세요.',
  'backup-failed': 'warden 폴더에서 `warden backup list`를 실행하세요. 실패한 실행의 오류가 원인을 알려 줍니다.',
  'backup-stale':
    'warden 폴더에서 `warden backup list`를 실행하세요. 마지막 정상 백업은 언제였고, 그 뒤 실행은 실패했나요?',
  'alert-delivery':
    'warden 폴더에서 `warden check`를 실행하세요. 봇 토큰과 모든 채팅을 검사하고 해결 방법을 알려 줍니다.',
  'warden-restarted':
    'warden 폴더에서 `npm run pm2 -- logs warden --err --lines 200`을 실행하세요. 중지 전의 치명적 오류가 있거나, 없다면 강제 종료나 재부팅입니다.',
  'host-memory': '`ps aux --sort=-rss | head -15`로 어떤 프로세스가 메모리를 쓰는지 보세요.',
  'host-load': '`top -b -n 1 | head -20`으로 CPU를 쓰는 것을, `vmstat 1 5`로 디스크 대기를 보세요.',
  'host-down':
    '다른 머신에서 `ssh {subject} uptime`을 실행하세요. 응답이 없으면 호스트가 꺼졌거나 끊긴 것이고, 응답하면 그 호스트의 warden이나 저장소 연결이 끊긴 것입니다.',
};

function duration(ms: number): string {
  return ms < 1000 ? '1초 미만' : formatDuration(ms, ['일', '시간', '분', '초']);
}

export const ko: Texts = {
  intl: 'ko-KR',
  severity: { critical: '심각', warning: '경고', info: '정보' },
  topicTitle: (topic) => titles[topic],
  firstStep: (topic) => firstSteps[topic],
  duration,
  onHost: (host) => `호스트 <b>${host}</b>`,
  since: (time, ago) => `${time}부터 (${ago} 전)`,
  seen: (count) => `${count}회 감지`,
  crashedAgain: (count, first, last) => `${first} 이후 ${count}회 충돌, 마지막 ${last}`,
  restarted: (count, failed, lastAt) =>
    `${count}회 재시작함 — 마지막 ${lastAt}${failed > 0 ? ` (${failed}회 실패)` : ''}`,
  stoppedByOperator: (at, subject, restartIn) =>
    `운영자가 ${at}에 pm2로 중지함${
      restartIn === undefined
        ? ''
        : restartIn === null
          ? '; warden은 다시 시작하지 않습니다 (재시작 방식 none)'
          : `; <code>warden silence ${subject}</code>를 실행하지 않으면 warden이 ${restartIn} 후에 다시 시작합니다`
    }`,
  otherAction: (detail, count, lastAt) => `${detail}${count > 1 ? ` (${count}회, 마지막 ${lastAt})` : ` (${lastAt})`}`,
  escalated: (title, subject) => `🔺 상황 악화: <b>${title}</b>${subject ? ` · ${subject}` : ''}`,
  resolvedAfter: (d) => `✅ <b>해결됨</b> (${d} 만에)`,
  acknowledged: (by, at) => `👀 <b>확인됨</b>${by ? ` (${by})` : ''} ${at}`,
  firstStepLabel: '먼저 할 일',
  runbookButton: '📖 런북',
  runbookLink: (topic) => `런북: ${topic}`,
  runbooks: '런북',
  resolvedReply: (title, subject, d) => `✅ 해결됨: <b>${title}</b>${subject ? ` · ${subject}` : ''} (${d} 만에)`,
  resolvedByItself: '1분 안에 저절로 회복되었고 warden은 조치하지 않았습니다. 반복되면 살펴보세요.',
  reminder: (title, subject, d) =>
    `⏰ ${d} 동안 해결되지 않았고 확인되지 않음: <b>${title}</b>${subject ? ` · ${subject}` : ''}`,
  stormOpened: (count, host) => `🚨 <b>${host}</b>에서 <b>인시던트 ${count}건</b> 발생`,
  stormResolved: (count, host) => `✅ <b>${host}</b>에서 <b>인시던트 ${count}건 해결됨</b>`,
  stormReminder: (count, host) => `⏰ <b>${host}</b>에서 <b>인시던트 ${count}건</b>이 아직 열려 있고 확인되지 않음`,
  stormProgress: (resolved, total) => `${total}건 중 ${resolved}건 해결됨`,
  more: (count) => `…외 ${count}건`,
  testTitle: '🧪 <b>테스트 알림</b>',
  testBody: (host, chat) =>
    `<b>${host}</b>의 warden이 채팅 <code>${chat}</code>에 알림을 보낼 수 있습니다. 조치할 필요 없음.`,
  sentAt: (time) => `보낸 시각 ${time}.`,
  resent: '↻ <i>다시 보냄: 보내는 중에 warden이 재시작됨</i>',
};
