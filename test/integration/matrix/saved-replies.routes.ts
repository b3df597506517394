/** Authorization matrix rows for saved-replies. */
import type { MatrixRoute } from './fixture';

export const savedReplyRoutes: MatrixRoute[] = [];
