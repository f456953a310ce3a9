import { type PropsWithChildren } from 'react';
import { installInterceptors } from '../services/interceptors';
import '../app.css';
import './doctor.css';

installInterceptors();

/** The doctor workstation's root; as in the patient app, each page has its own ConfigProvider. */
function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
