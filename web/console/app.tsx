export function App() {
  return <p>食安网格 · 管理平台</p>;
}
