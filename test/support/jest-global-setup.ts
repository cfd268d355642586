/* placeholder: replaced by the real service resolver (Kafka + MongoDB) */
export default async function globalSetup(): Promise<void> {}
