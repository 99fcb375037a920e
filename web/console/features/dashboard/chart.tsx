import { useEffect, useRef } from 'react';
import type { EChartsCoreOption } from 'echarts/core';

type ECharts = { setOption(o: EChartsCoreOption, notMerge?: boolean): void; resize(): void; dispose(): void; on(ev: string, h: (p: any) => void): void; off(ev: string): void };

/** An ECharts canvas; ECharts itself is a separate chunk fetched when the first chart mounts. */
export function Chart({ option, height = 280, onClick, label }: { option: EChartsCoreOption; height?: number; onClick?: (p: any) => void; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;
  useEffect(() => {
    let disposed = false;
    let ro: ResizeObserver | null = null;
    import('./echarts-setup').then(({ echarts }) => {
      if (disposed || !el.current) return;
      chart.current = echarts.init(el.current) as unknown as ECharts;
      chart.current.setOption(option, true);
      chart.current.on('click', (p) => click.current?.(p));
      ro = new ResizeObserver(() => chart.current?.resize());
      ro.observe(el.current);
      el.current.dataset.ready = '1';
    });
    return () => {
      disposed = true;
      ro?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);
  return <div ref={el} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
