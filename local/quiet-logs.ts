// Imported first by the local CLIs, before any logger exists: function logs are JSON lines for a log
// service; on a terminal warnings and errors are enough. POWERTOOLS_LOG_LEVEL=INFO shows them all.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
