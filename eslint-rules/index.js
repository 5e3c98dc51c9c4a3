/** Weir's local ESLint plugin: rules that encode DESIGN.md decisions. */
import importBoundaries from './import-boundaries.js';

export default {
  meta: { name: 'eslint-plugin-weir' },
  rules: {
    'import-boundaries': importBoundaries,
  },
};
