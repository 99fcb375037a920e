// Placeholder for the public portal (replaced by the portal engineer).
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')!).render(<p>食品安全投诉举报（建设中）</p>);
