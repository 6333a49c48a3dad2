{{/* Chart name, truncated to a DNS label. */}}
{{- define "pp.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: the release name when it already contains the chart name. */}}
{{- define "pp.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
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

{{- define "pp.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
What the operator does in a namespace it reconciles. It also creates, for each reflector pod,
a Role granting: get/watch of the pod's two Secrets, get/list/watch of AuthorizedPeers, get and
status patches of the three kinds. Kubernetes only lets it create a Role whose rules it holds
itself, and every one of those is covered below, so neither `escalate` nor `bind` is needed.
Keep in sync with config/rbac/role.yaml (a test compares them).
*/}}
{{- define "pp.operatorRules" -}}
- apiGroups: ["packetparamedic.io"]
  resources: ["reflectorinstances", "authorizedpeers", "pairingwindows"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["packetparamedic.io"]
  resources: ["reflectorinstances/status", "authorizedpeers/status", "pairingwindows/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: ["packetparamedic.io"]
  resources: ["reflectorinstances/finalizers", "authorizedpeers/finalizers", "pairingwindows/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["secrets", "serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
{{- end -}}
