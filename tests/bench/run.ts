// `npm run bench`: every performance figure of the project, measured on this machine.
import { bundleFigures } from '#tests/bench/bundle-figures.ts';
import { printFigures } from '#tests/bench/figures.ts';
import { turnFigures } from '#tests/bench/turn-figures.ts';

const figures = [...(await turnFigures()), ...(await bundleFigures())];
printFigures(figures);
