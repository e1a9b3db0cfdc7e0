// `npm run bench`: every performance figure of the project, measured on this machine.
// `npm run bench -- broadcast tick` runs only the named groups.
import { broadcastFigures } from '#tests/bench/broadcast-figures.ts';
import { bundleFigures } from '#tests/bench/bundle-figures.ts';
import { consoleFigures } from '#tests/bench/console-figures.ts';
import { deadlineFigures } from '#tests/bench/deadline-figures.ts';
import { domesticTurnFigures } from '#tests/bench/domestic-turn-figures.ts';
import { erasureFigures } from '#tests/bench/erasure-figures.ts';
import { type Figure, printFigures } from '#tests/bench/figures.ts';
import { functionFigures } from '#tests/bench/function-figures.ts';
import { monthFigures } from '#tests/bench/month-figures.ts';
import { sendFigures } from '#tests/bench/send-figures.ts';
import { tickFigures } from '#tests/bench/tick-figures.ts';
import { turnFigures } from '#tests/bench/turn-figures.ts';

// The handlers log every turn and send; the figures are the output here.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const groups: Record<string, () => Promise<Figure[]>> = {
  turn: turnFigures,
  // The same turn pushed by Alibaba Cloud (mainland numbers), and what a family costs by template.
  domestic: () => domesticTurnFigures(),
  // The month of the weekly rhythm, step by step and in one message: billed segments per family per week.
  month: monthFigures,
  bundle: bundleFigures,
  function: functionFigures,
  // With no Twilio latency the fake answers at once, so the bare loop measures nothing but HTTP on
  // loopback; 300 ms is closer to what Twilio's API takes from an AWS region.
  send: async () => [...(await sendFigures(10_000, 0)), ...(await sendFigures(10_000, 300))],
  // 100,000 carers, 1/70 then 1/7 of them due: the tick's cost follows the due set, not the roster.
  tick: () => tickFigures(100_000),
  // 50,000 carers and parents: preview and fan-out planning; the full fan-out over 5,000.
  broadcast: () => broadcastFigures(50_000, 5_000),
  // What the tests no longer time: the WeChat reply budget and the Twilio client's timeout, each
  // against something that never answers.
  deadline: () => deadlineFigures(),
  console: consoleFigures,
  // One family erased among 100,000 contacts: requests per step follow the family, not the table.
  erasure: () => erasureFigures(100_000),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in groups));
if (unknown.length > 0) {
  throw new Error(`unknown bench group ${unknown.join(', ')}; groups: ${Object.keys(groups).join(', ')}`);
}
const figures: Figure[] = [];
for (const [name, run] of Object.entries(groups)) {
  if (wanted.length === 0 || wanted.includes(name)) figures.push(...(await run()));
}
printFigures(figures);
