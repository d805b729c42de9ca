// The two layouts: a phone's (one column, the tab bar at the foot) and a desk's (≥1024 px: side
// navigation, figures in a grid, lists as tables; app.css draws it). Screens whose content
// differs between them (a list or a table) ask atDesk() and redraw when the window crosses over.
import { route } from '../router.js';

const DESK = '(min-width: 1024px)';

/** Whether the window is desk-wide (a supervisor's screen): lists are drawn as tables. */
export function atDesk() {
  return typeof matchMedia === 'function' && matchMedia(DESK).matches;
}

/** Draw the screen again when the window has crossed the desk width (and stays there: a
 * passing flicker, a rotation back and forth, redraws nothing); returns the view's cleanup. */
export function redrawAcrossLayouts() {
  if (typeof matchMedia !== 'function') return () => {};
  const query = matchMedia(DESK);
  const drawn = query.matches;
  let timer = null;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => { if (query.matches !== drawn) route(); }, 250);
  };
  query.addEventListener('change', changed);
  return () => { clearTimeout(timer); query.removeEventListener('change', changed); };
}
