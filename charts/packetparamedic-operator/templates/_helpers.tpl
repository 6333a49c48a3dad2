{{/* Chart name (or nameOverride), truncated to a DNS label. */}}
{{- define "pp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name, as `helm create` makes it: fullnameOverride when set; else the release name when it
already contains the name (release "packetparamedic-operator" gives "packetparamedic-operator",
not "packetparamedic-operator-packetparamedic-operator"); else "<release>-<name>".
*/}}
{{- define "pp.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "pp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "pp.labels" -}}
{{ include "pp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: packetparamedic
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "pp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "pp.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* repository@digest when a digest is set (it pins the image; the tag is then ignored), else repository:tag. */}}
{{- define "pp.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
What the operator does in a namespace it reconciles. It also creates, for each reflector pod,
a Role granting: get/watch of the pod's two Secrets, get/list/watch of AuthorizedPeers, get and
status patches of the three kinds. Kubernetes only lets it create a Role whose rules it holds
itself, and every one of those is covered below, so neither `escalate` nor `bind` is needed.
Keep in sync with config/rbac/role.yaml (a test compares them).
*/}}
{{- define "pp.operatorRules" -}}
# Read the three kinds (the controllers' informers). The operator never writes their spec; it
# only creates the AuthorizedPeer a consumed PairingWindow stands for.
- apiGroups: ["packetparamedic.io"]
  resources: ["reflectorinstances", "pairingwindows"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["packetparamedic.io"]
  resources: ["authorizedpeers"]
  verbs: ["get", "list", "watch", "create"]
# Status: server-side apply of the operator's fields, which is a PATCH. Holding patch on every
# name is also what lets it grant each reflector pod patch on a few names.
- apiGroups: ["packetparamedic.io"]
  resources: ["reflectorinstances/status", "authorizedpeers/status", "pairingwindows/status"]
  verbs: ["patch"]
# Owner references with blockOwnerDeletion on what instances and windows own, where the
# OwnerReferencesPermissionEnforcement admission plugin is enabled.
- apiGroups: ["packetparamedic.io"]
  resources: ["reflectorinstances/finalizers", "pairingwindows/finalizers"]
  verbs: ["update"]
# The identity, config and pairing-code Secrets it creates and updates (the Java Operator SDK
# writes Secrets with POST/PUT, not server-side apply) and deletes (a closed window's code, a
# generated identity replaced by a supplied one), and a get of the identity or code Secret an
# instance or window names. RBAC cannot narrow list/watch to the operator's label: in a
# cluster-wide install this is every Secret in the cluster, hence the namespaced install
# (docs/install.md).
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# Each reflector pod's ServiceAccount, Role and RoleBinding (the garbage collector deletes them
# with their instance); a fleet node's own ones are deleted with its Deployment when the node
# leaves. No bind or escalate: the pod's Role holds only rules listed here.
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# Each reflector's Deployment; deleted when its identity is unusable or its image not allowed.
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# Events about the three kinds.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}

{{/* Labels of the CRDs: cluster-scoped and shared by every release, so no instance label. */}}
{{- define "pp.crdLabels" -}}
app.kubernetes.io/part-of: packetparamedic
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}
