import { type PropsWithChildren } from 'react';
import { installInterceptors } from './services/interceptors';
import './app.css';

installInterceptors();

// No ConfigProvider here: wrapping the whole app broke H5 page switching, so each page has its
// own (components/page-shell.tsx).
function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
