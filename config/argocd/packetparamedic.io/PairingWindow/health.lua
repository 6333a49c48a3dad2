-- Argo CD health of a PairingWindow: Progressing while it waits for its ReflectorInstance to
-- exist (Pending) or is open and waiting for an appliance, Healthy once consumed (the AuthorizedPeer exists), Degraded when it expired
-- without a pairing or failed. The pairing code itself is never in status; only the name
-- of the Secret holding it is.
local hs = {}

local status = obj.status
if status == nil or status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to open the window"
  return hs
end

local phase = status.phase
if phase == "Pending" then
  hs.status = "Progressing"
  if status.message ~= nil and status.message ~= "" then
    hs.message = status.message
  else
    hs.message = "Waiting for the ReflectorInstance to exist"
  end
  return hs
end

if phase == "Open" then
  hs.status = "Progressing"
  local message = "Open, waiting for an appliance to pair"
  if status.expiresAt ~= nil then
    message = message .. " until " .. status.expiresAt
  end
  if status.codeSecret ~= nil then
    message = message .. "; the code is in Secret " .. status.codeSecret
  end
  hs.message = message
  return hs
end

if phase == "Consumed" then
  hs.status = "Healthy"
  local message = "Consumed"
  if status.pairedEndpointId ~= nil then
    message = "Paired " .. status.pairedEndpointId
  end
  if status.authorizedPeer ~= nil then
    message = message .. " as AuthorizedPeer " .. status.authorizedPeer
  end
  hs.message = message
  return hs
end

if phase == "Expired" then
  hs.status = "Degraded"
  local message = "Expired without a pairing"
  if status.expiresAt ~= nil then
    message = message .. " at " .. status.expiresAt
  end
  hs.message = message .. "; delete or recreate the window to pair again"
  return hs
end

if phase == "Failed" then
  hs.status = "Degraded"
  if status.message ~= nil and status.message ~= "" then
    hs.message = status.message
  else
    hs.message = "Failed"
  end
  return hs
end

hs.status = "Unknown"
hs.message = "Unknown phase " .. phase
return hs
