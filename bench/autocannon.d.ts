declare module 'autocannon' {
  const autocannon: (opts: any, cb: (err: any, res: any) => void) => any;
  export default autocannon;
}
