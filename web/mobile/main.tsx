import { createRoot } from 'react-dom/client';
import { App } from './src/app';
import './src/styles.css';

createRoot(document.getElementById('root')!).render(<App />);

// Installable and usable offline: the service worker caches the app shell (scope /m/).
if ('serviceWorker' in navigator && (location.protocol === 'https:' || location.hostname === 'localhost' || location.hostname === '127.0.0.1')) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => {});
  });
}
