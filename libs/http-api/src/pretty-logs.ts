/**
 * pino options for a person at a terminal: pino-pretty (a devDependency, so
 * only where it is installed) when stdout is a TTY, JSON lines otherwise
 * (containers, log shippers, `npm start`'s own reformatting).
 */
export function prettyTransportIfTty(): { target: string; options: object } | undefined {
  if (!process.stdout.isTTY) return undefined;
  try {
    require.resolve('pino-pretty');
  } catch {
    return undefined;
  }
  return {
    target: 'pino-pretty',
    options: {
      colorize: true,
      translateTime: 'SYS:HH:MM:ss',
      singleLine: true,
      ignore: 'pid,hostname,context,app,req,res,responseTime',
      // a request as one short line
      messageFormat: '{msg}{if req.method} {req.method} {req.url} → {res.statusCode}{end}',
    },
  };
}
