import { type PropsWithChildren } from 'react';
import Taro from '@tarojs/taro';
import { installInterceptors } from '../services/interceptors';
import { passwordChangeRequired } from './services/password-change';
import '../app.css';
import '../h5-buttons.css';
import './doctor.css';

installInterceptors();
Taro.addInterceptor(passwordChangeRequired as unknown as Taro.interceptor);

/** The doctor workstation's root; as in the patient app, each page has its own ConfigProvider. */
function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
