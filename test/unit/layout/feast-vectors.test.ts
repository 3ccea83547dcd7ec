/** The layout codec against every vector in the committed Feast fixture (see test/helpers/feast-vector-checks.ts). */
import { readFileSync } from 'node:fs';
import { describeFeastVectorChecks, type Vectors } from '../../helpers/feast-vector-checks.js';
import { VECTORS_PATH } from '../../helpers/layout-vectors.js';

const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Vectors;

describeFeastVectorChecks(() => vectors);
