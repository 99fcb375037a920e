import { createRoot } from 'react-dom/client';
import { App } from './src/app';
import './src/styles.css';

createRoot(document.getElementById('root')!).render(<App />);
