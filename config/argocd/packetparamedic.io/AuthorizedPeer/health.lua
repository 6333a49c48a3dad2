-- Argo CD health of an AuthorizedPeer. The API server checks the Endpoint ID's form; the
-- operator checks its check symbol (condition Valid) and whether the peer is in at least one
-- reflector's config (condition Active: enabled, unexpired, its reflector exists). While no
-- reflector has applied that config yet (status.state Pending) the peer is Progressing.
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
  hs.message = "Waiting for the operator to validate the Endpoint ID"
  return hs
end

local generation = obj.metadata.generation
if generation ~= nil and status.observedGeneration ~= nil and status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local valid = condition(status.conditions, "Valid")
if valid == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to validate the Endpoint ID"
  return hs
end
if valid.status ~= "True" then
  hs.status = "Degraded"
  hs.message = describe(valid, "Invalid Endpoint ID")
  return hs
end

local active = condition(status.conditions, "Active")
if active ~= nil and active.status == "False" then
  if obj.spec ~= nil and obj.spec.disabled == true then
    -- Switched off on purpose: kept in git, absent from every reflector's config.
    hs.status = "Suspended"
    hs.message = describe(active, "Disabled")
    return hs
  end
  hs.status = "Degraded"
  hs.message = describe(active, "Not active on any reflector")
  return hs
end

if status.state == "Pending" then
  hs.status = "Progressing"
  hs.message = describe(condition(status.conditions, "Ready"), "Waiting for a reflector to apply the config")
  return hs
end

hs.status = "Healthy"
if status.reflectors ~= nil and #status.reflectors > 0 then
  hs.message = "Authorized on " .. table.concat(status.reflectors, ", ")
else
  hs.message = describe(active, "Valid")
end
return hs
