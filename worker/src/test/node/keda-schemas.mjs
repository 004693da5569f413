// Validates KEDA manifests against KEDA's own CRD schemas (the OpenAPI schemas of keda.sh/v1alpha1, compiled by
// @kubernetes-models/keda), as the API server would on `kubectl apply`: types, enums and required fields. No cluster
// is needed. DeploymentFilesTest runs it on docker/kubernetes/keda*; so can a developer.
// It cannot see a misspelt optional field (the schemas allow unknown fields, which the API server prunes) nor a
// trigger's metadata keys (a map of strings to KEDA): DeploymentFilesTest checks those against the code.
//
// Usage: node keda-schemas.mjs <file.yaml>...   exit 0 when every KEDA document is valid, 1 otherwise
import { readFileSync } from "node:fs";
import { ScaledJob, ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import * as yaml from "js-yaml";

const models = { ScaledJob, ScaledObject, TriggerAuthentication };
let invalid = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8"))) {
    if (!doc || doc.apiVersion !== "keda.sh/v1alpha1") {
      continue;
    }
    const Model = models[doc.kind];
    if (!Model) {
      console.log(`INVALID ${file}: no schema here for kind ${doc.kind}`);
      invalid++;
      continue;
    }
    checked++;
    try {
      new Model(doc).validate();
      console.log(`valid ${file}: ${doc.kind} ${doc.metadata?.name ?? ""}`);
    } catch (error) {
      console.log(`INVALID ${file}: ${doc.kind} ${doc.metadata?.name ?? ""}: ${error.message}`);
      invalid++;
    }
  }
}
if (checked === 0 && invalid === 0) {
  console.log("INVALID: no keda.sh/v1alpha1 document in the files given");
  process.exit(1);
}
process.exit(invalid === 0 ? 0 : 1);
