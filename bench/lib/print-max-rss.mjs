// Preload (`node --import ./bench/lib/print-max-rss.mjs …`): prints this process's own peak RSS at exit.
// GNU time's %M would also count pg_dump: wait4 reports the largest RSS in the child's whole tree.
process.on('exit', () => process.stderr.write(`MAXRSS_KB ${process.resourceUsage().maxRSS}\n`));
