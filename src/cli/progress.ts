import cliProgress from 'cli-progress';

/** A progress bar on stderr per stage; plain lines instead when stderr is not a terminal (CI logs). */
export function progressReporter(): {
  update: (stage: string, done: number, total: number) => void;
  stop: () => void;
} {
  const tty = process.stderr.isTTY;
  let bar: cliProgress.SingleBar | undefined;
  let current = '';
  let lastLine = 0;
  return {
    update(stage, done, total) {
      if (stage !== current) {
        bar?.stop();
        bar = undefined;
        current = stage;
        lastLine = 0;
        if (tty) {
          bar = new cliProgress.SingleBar(
            {
              format: `${stage.padEnd(22)} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`,
              stream: process.stderr,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, done);
        }
      }
      if (bar) {
        bar.setTotal(total);
        bar.update(done);
      } else if (done === total || Date.now() - lastLine > 2000) {
        lastLine = Date.now();
        process.stderr.write(`${stage}: ${done}/${total}\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
