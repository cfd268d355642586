/** Stops only the services the global setup started itself. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__regentraServices?.stop();
}
