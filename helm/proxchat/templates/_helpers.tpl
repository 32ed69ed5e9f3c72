{{/* The chart's name, or nameOverride. */}}
{{- define "proxchat.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The name of every object: fullnameOverride, or the release name with the chart's name unless it already holds it. */}}
{{- define "proxchat.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "proxchat.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "proxchat.labels" -}}
app.kubernetes.io/name: {{ include "proxchat.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "proxchat.selectorLabels" -}}
app.kubernetes.io/name: {{ include "proxchat.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "proxchat.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "proxchat.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The port each pod serves /metrics on: its own metricsPort, or the client port. */}}
{{- define "proxchat.metricsPort" -}}
{{- .Values.metricsPort | default 8080 -}}
{{- end -}}

{{- define "proxchat.redisName" -}}
{{- printf "%s-redis" (include "proxchat.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The Secret holding the Redis connection string: the operator's, or the one this chart makes. */}}
{{- define "proxchat.redisSecretName" -}}
{{- .Values.redis.existingSecret | default (include "proxchat.redisName" .) -}}
{{- end -}}

{{- define "proxchat.redisSecretKey" -}}
{{- if .Values.redis.existingSecret -}}
{{- .Values.redis.existingSecretKey -}}
{{- else -}}
connection-string
{{- end -}}
{{- end -}}

{{/* The hub is on unless config.SignalR.Enabled is false. */}}
{{- define "proxchat.hubEnabled" -}}
{{- $signalR := .Values.config.SignalR | default dict -}}
{{- if or (not (hasKey $signalR "Enabled")) $signalR.Enabled -}}true{{- end -}}
{{- end -}}

{{/*
config as .NET configuration environment variables, one "name: value" line each: a nested key
joins its path with "__" (config.SignalR.Enabled is ProxChat__SignalR__Enabled) and a list's items
are numbered (config.AllowedOrigins[0] is ProxChat__AllowedOrigins__0). A null leaves the
server's default. Numbers are written by toJson, so 4194304 stays 4194304, not 4.194304e+06.
*/}}
{{- define "proxchat.configEntries" -}}
{{- $value := .value -}}
{{- if kindIs "map" $value -}}
{{- range $key, $item := $value }}
{{- include "proxchat.configEntries" (dict "name" (printf "%s__%s" $.name $key) "value" $item) }}
{{- end -}}
{{- else if kindIs "slice" $value -}}
{{- range $index, $item := $value }}
{{- include "proxchat.configEntries" (dict "name" (printf "%s__%d" $.name $index) "value" $item) }}
{{- end -}}
{{- else if not (kindIs "invalid" $value) }}
{{ .name }}: {{ if kindIs "string" $value }}{{ $value | quote }}{{ else }}{{ $value | toJson | quote }}{{ end }}
{{- end -}}
{{- end -}}

{{- define "proxchat.turnName" -}}
{{- printf "%s-turn" (include "proxchat.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The TURN URLs the nodes hand out, as a JSON list: the chart's coturn, or externalTurn.urls. */}}
{{- define "proxchat.turnUrls" -}}
{{- if .Values.turn.enabled -}}
{{- $address := printf "%s:%d" .Values.turn.host (int .Values.turn.port) -}}
{{- list (printf "turn:%s?transport=udp" $address) (printf "turn:%s?transport=tcp" $address) | toJson -}}
{{- else -}}
{{- .Values.externalTurn.urls | default list | toJson -}}
{{- end -}}
{{- end -}}
