export { ConfirmButton } from './ConfirmButton';
export { EmptyState } from './EmptyState';
export { ErrorAlert } from './ErrorAlert';
export { Loading } from './Loading';
export { NoAccess } from './NoAccess';
export { PageHeader } from './PageHeader';
