/** Shared by the Deployment-strategy import tests: a Deployment whose rollingUpdate writes the two
 *  values under test, and the importer's verdict on it (errors, warnings, the rollout). */
import { Imported } from '../../sim/import/imported.js';
import { importK8s } from '../../sim/import/k8s-manifest.js';

export const rollingManifest = (replicas: number, surge: string, unavailable: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: ${surge}
      maxUnavailable: ${unavailable}
  template:
    spec:
      containers:
        - name: web
          image: web:1
`;

export const readDeployment = (text: string): Imported => {
  const into = new Imported();
  importK8s(text, 'd.yaml', into);
  return into;
};
