declare module "async-exit-hook" {
  interface ExitHook {
    hookedEvents(): ReadonlyArray<string>
    unhookEvent(event: string): void
  }
  const exitHook: ExitHook
  export default exitHook
}
