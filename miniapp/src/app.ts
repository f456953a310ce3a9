import { type PropsWithChildren } from 'react';
import { installInterceptors } from './services/interceptors';
import './app.css';

// H5 only (see the file); the constant condition drops it from the mini-program's main package.
if (process.env.TARO_ENV === 'h5') require('./h5-buttons.css');

installInterceptors();

// No ConfigProvider here: wrapping the whole app broke H5 page switching, so each page has its
// own (components/page-shell.tsx).
function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
