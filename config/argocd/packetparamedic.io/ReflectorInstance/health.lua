-- Argo CD health of a ReflectorInstance, read from the status the operator and the reflector
-- pod write. Healthy only when the operator reports Ready: the Deployment exists and the pod
-- sends fresh heartbeats with the expected Endpoint ID. A planned identity rotation (the pod
-- still serves the previous ID for a while) is Progressing, not Degraded: the operator reports
-- Degraded only when the rotation has not completed within its bound.
local hs = {}

local function condition(conditions, conditionType)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function describe(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c ~= nil and c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return fallback
end

local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to reconcile the instance"
  return hs
end

local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local degraded = condition(status.conditions, "Degraded")
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(degraded, "Degraded")
  return hs
end

local portConflict = condition(status.conditions, "PortConflict")
if portConflict ~= nil and portConflict.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(portConflict, "Ports overlap with another instance that may share a node")
  return hs
end

local progressing = condition(status.conditions, "Progressing")
if progressing ~= nil and progressing.status == "True" and progressing.reason == "IdentityRotating" then
  hs.status = "Progressing"
  hs.message = describe(progressing, "Identity rotating")
  return hs
end

local ready = condition(status.conditions, "Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  local message = "Ready"
  if status.endpointId ~= nil then
    message = "Serving as " .. status.endpointId
    if status.address ~= nil then
      message = message .. " at " .. status.address
    end
  end
  hs.message = message
  return hs
end

if status.phase == "Degraded" then
  hs.status = "Degraded"
  hs.message = describe(ready, "Degraded")
  return hs
end

hs.status = "Progressing"
hs.message = describe(ready, describe(condition(status.conditions, "Progressing"),
  "Waiting for the reflector to report a heartbeat"))
return hs
