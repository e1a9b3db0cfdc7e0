// `npm run bench`: every performance figure of the project, measured on this machine.
import { bundleFigures } from '#tests/bench/bundle-figures.ts';
import { printFigures } from '#tests/bench/figures.ts';
import { functionFigures } from '#tests/bench/function-figures.ts';
import { sendFigures } from '#tests/bench/send-figures.ts';
import { tickFigures } from '#tests/bench/tick-figures.ts';
import { turnFigures } from '#tests/bench/turn-figures.ts';

// The handlers log every turn and send; the figures are the output here.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const figures = [
  ...(await turnFigures()),
  ...(await bundleFigures()),
  ...(await functionFigures()),
  // With no Twilio latency the fake answers at once, so the bare loop measures nothing but HTTP on
  // loopback; 300 ms is closer to what Twilio's API takes from an AWS region.
  ...(await sendFigures(10_000, 0)),
  ...(await sendFigures(10_000, 300)),
  // 100,000 carers, 1/70 then 1/7 of them due: the tick's cost follows the due set, not the roster.
  ...(await tickFigures(100_000)),
];
printFigures(figures);
