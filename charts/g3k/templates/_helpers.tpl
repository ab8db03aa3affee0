{{- define "g3k.name" -}}g3k-operator{{- end -}}
{{- define "g3k.serviceAccount" -}}{{ default (include "g3k.name" .) .Values.serviceAccount.name }}{{- end -}}
{{- define "g3k.labels" -}}
app.kubernetes.io/name: {{ include "g3k.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
