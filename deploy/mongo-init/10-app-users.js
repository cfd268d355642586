// Runs once, when the MongoDB volume is first initialised (official image,
// /docker-entrypoint-initdb.d, as the root user). One user per app, each
// with readWrite on its own database only: the collector cannot read the
// evidence, the projector cannot read the sealed Okta tokens.
const fs = require('fs');
const password = (name) => fs.readFileSync(`/run/secrets/${name}`, 'utf8').replace(/\n$/, '');

for (const [user, database, secret] of [
  ['collector', 'okta_collector', 'mongo_collector_password'],
  ['projector', 'evidence', 'mongo_projector_password'],
]) {
  const target = db.getSiblingDB(database);
  if (target.getUser(user)) continue;
  target.createUser({ user, pwd: password(secret), roles: [{ role: 'readWrite', db: database }] });
}
