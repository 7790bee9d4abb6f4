// How JUnit test cases are grouped (--junit-by): apart from the renderer, so the command line can
// offer the choices without loading it.

export type JunitGrouping = 'register' | 'phase';

export const JUNIT_GROUPINGS: readonly JunitGrouping[] = ['register', 'phase'];
