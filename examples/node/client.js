// A Node.js client built from the committed .proto files alone (no generated code):
// start a generation, watch it to the end, print each event and the program's name.
//
//   node examples/node/client.js [host:port] [profile.json]
//
// Run from the repository root after `npm ci`. It is what a client in any language does:
// StartGeneration returns at once; WatchGeneration streams every state change.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");

const root = path.resolve(__dirname, "..", "..");
const target = process.argv[2] || "127.0.0.1:50051";
const profileFile = process.argv[3] || path.join(root, "examples", "beginner_full_gym.json");

const definition = protoLoader.loadSync("programgen/v1/generation_service.proto", {
  includeDirs: [path.join(root, "protos")],
  keepCase: false, // camelCase fields, as in the proto-JSON profiles under examples/
  enums: String, // enum values by name: "GENERATION_STATUS_COMPLETED"
  longs: String, // int64 sequences as strings, as proto JSON writes them
  defaults: true,
  oneofs: true,
});
const v1 = grpc.loadPackageDefinition(definition).programgen.v1;
const client = new v1.ProgramGenerationService(target, grpc.credentials.createInsecure());

const metadata = new grpc.Metadata();
if (process.env.PROGRAMGEN_API_KEY) {
  metadata.set("authorization", `Bearer ${process.env.PROGRAMGEN_API_KEY}`);
}

const profile = JSON.parse(fs.readFileSync(profileFile, "utf8"));
// The request id makes a retried start safe (AIP-155): the server returns the original.
const request = { profile, requestId: crypto.randomUUID() };

client.startGeneration(request, metadata, { deadline: Date.now() + 10_000 }, (err, reply) => {
  if (err) {
    console.error(`start failed: ${grpc.status[err.code]}: ${err.details}`);
    process.exit(1);
  }
  const id = reply.generation.id;
  console.log(`started ${id}`);
  const stream = client.watchGeneration({ id, afterSequence: "0" }, metadata);
  stream.on("data", (response) => {
    if (response.kind !== "event") return; // a heartbeat
    const event = response.event;
    const status = event.status.replace("GENERATION_STATUS_", "").toLowerCase();
    const stage = event.stage === "STAGE_UNSPECIFIED" ? "-" : event.stage.replace("STAGE_", "").toLowerCase();
    console.log(`${event.sequence} ${status} ${stage} ${event.percent}`);
    if (event.program) console.log(`${event.program.name}: ${event.program.weeks.length} weeks`);
  });
  stream.on("error", (e) => {
    console.error(`watch failed: ${grpc.status[e.code]}: ${e.details}`);
    process.exit(1);
  });
  stream.on("end", () => client.close());
});
