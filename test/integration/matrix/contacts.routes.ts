/** Authorization matrix rows for contacts. */
import type { MatrixRoute } from './fixture';

export const contactRoutes: MatrixRoute[] = [];
