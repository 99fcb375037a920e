// Placeholder for the field app (replaced by the field-app engineer).
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')!).render(<p>食安网格 · 移动端（建设中）</p>);
