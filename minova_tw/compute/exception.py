"""The errors of the compute layer, with nova's names, messages and status codes.

Each class carries ``code`` (the HTTP status the API answers with) and
``safe`` (whether the message may be shown to the client), which is what the
API's FaultWrapper reads. Messages are nova's ``msg_fmt`` strings, filled
from keyword arguments.
"""


class ComputeError(Exception):
    """Base: ``msg_fmt % kwargs`` is the message; ``code`` the HTTP status."""

    msg_fmt = "An unknown exception occurred."
    code = 500
    safe = False

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        super().__init__(message or self.msg_fmt % kwargs)

    def format_message(self):
        return self.args[0]


class Invalid(ComputeError):
    msg_fmt = "Bad input: %(reason)s"
    code = 400
    safe = True


class Forbidden(ComputeError):
    msg_fmt = "Forbidden"
    code = 403
    safe = True


class NotFound(ComputeError):
    msg_fmt = "Resource could not be found."
    code = 404
    safe = True


class Conflict(ComputeError):
    msg_fmt = "Conflict"
    code = 409
    safe = True


# -- 400 ---------------------------------------------------------------------

class MarkerNotFound(Invalid):
    msg_fmt = "marker [%(marker)s] not found"


class InvalidSortKey(Invalid):
    msg_fmt = "Sort key supplied is invalid: %(key)s"


class InvalidMetadataSize(Invalid):
    msg_fmt = "%(reason)s"


class InvalidKeypair(Invalid):
    msg_fmt = "Keypair data is invalid: %(reason)s"


class InvalidStatus(Invalid):
    msg_fmt = "Invalid status value"


class CannotResizeToSameFlavor(Invalid):
    msg_fmt = "When resizing, instances must change flavor!"


class ResizeError(Invalid):
    msg_fmt = "Resize error: %(reason)s"


class InvalidAvailabilityZone(Invalid):
    msg_fmt = "The requested availability zone is not available"


class FixedIpInvalid(Invalid):
    msg_fmt = "Fixed IP %(address)s is not a valid ip address."


class FixedIpAlreadyInUse(Invalid):
    msg_fmt = ("Fixed IP address %(address)s is already in use on instance "
               "%(instance_uuid)s.")


class ComputeHostNotFound(Invalid):
    """A requested destination host that does not exist (400 at boot)."""

    msg_fmt = "Compute host %(host)s could not be found."


class TooManyTags(Invalid):
    msg_fmt = "The number of tags exceeded the per-server limit %(limit)d"


class InvalidServerGroupRules(Invalid):
    msg_fmt = "Only anti-affinity policy supports rules."


class InvalidVolume(Invalid):
    msg_fmt = "Invalid volume: %(reason)s"


class InvalidDevicePath(Invalid):
    msg_fmt = "The supplied device path (%(path)s) is invalid."


class PasswordTooLong(Invalid):
    msg_fmt = "Password is too long: at most %(limit)d bytes."


class ConsoleTypeInvalid(Invalid):
    msg_fmt = "Invalid console type %(console_type)s"


class ConsoleTypeUnavailable(Invalid):
    msg_fmt = "Unavailable console type %(console_type)s."


class SecurityGroupExists(Invalid):
    msg_fmt = ("Security group %(security_group_name)s already exists "
               "for project %(project_id)s.")


class SecurityGroupCannotBeApplied(Invalid):
    msg_fmt = ("Network requires port_security_enabled and subnet associated"
               " in order to apply security groups.")


class InvalidStrTime(Invalid):
    msg_fmt = "Invalid datetime string: %(reason)s"


# -- 403 ---------------------------------------------------------------------

class PolicyNotAuthorized(Forbidden):
    msg_fmt = "Policy doesn't allow %(action)s to be performed."


class QuotaError(Forbidden):
    msg_fmt = "Quota exceeded: code=%(code)s"


class TooManyInstances(QuotaError):
    msg_fmt = ("Quota exceeded for %(overs)s: Requested %(req)s, but already "
               "used %(used)s of %(allowed)s %(overs)s")


class MetadataLimitExceeded(QuotaError):
    msg_fmt = "Maximum number of metadata items exceeds %(allowed)d"


class KeypairLimitExceeded(QuotaError):
    msg_fmt = "Quota exceeded, too many key pairs."


class ServerGroupLimitExceeded(QuotaError):
    msg_fmt = "Quota exceeded, too many server groups."


class ServerGroupMembersLimitExceeded(QuotaError):
    msg_fmt = "Quota exceeded, too many servers in group"


class CannotMigrateToSameHost(Invalid):
    msg_fmt = "Cannot migrate to the host where the server exists."


class NoValidHost(Invalid):
    """No host can take the server (400 where nova checks before it
    answers: a live migration before 2.34)."""

    msg_fmt = "No valid host was found. %(reason)s"


class UnableToMigrateToSelf(Invalid):
    msg_fmt = ("Unable to migrate instance (%(instance_id)s) to current "
               "host (%(host)s).")


class ComputeServiceInUse(Invalid):
    """Evacuating a server whose host's nova-compute is up (400)."""

    msg_fmt = "Compute service of %(host)s is still in use."


class InvalidMigrationState(Invalid):
    msg_fmt = ("Migration %(migration_id)s state of instance "
               "%(instance_uuid)s is %(state)s. Cannot %(method)s while the "
               "migration is in this state.")


# -- 404 ---------------------------------------------------------------------

class InstanceNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s could not be found."


class FlavorNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s could not be found."


class FlavorExtraSpecsNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s has no extra specs with key %(key)s."


class FlavorAccessNotFound(NotFound):
    msg_fmt = "Flavor access not found for %(flavor_id)s / %(project_id)s combination."


class FlavorAccessNotAvailable(NotFound):
    msg_fmt = "Access list not available for public flavors."


class InstanceGroupNotFound(NotFound):
    msg_fmt = "Instance group %(group_uuid)s could not be found."


class KeypairNotFound(NotFound):
    msg_fmt = "Keypair %(name)s not found for user %(user_id)s"


class MetadataNotFound(NotFound):
    msg_fmt = "Metadata item was not found"


class SecurityGroupNotFound(NotFound):
    msg_fmt = "Security group %(security_group_id)s not found."


class InstanceTagNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s has no tag '%(tag)s'"


class InstanceActionNotFound(NotFound):
    """The message nova's instance actions API answers with."""

    msg_fmt = "Action %(request_id)s not found"


class ConsoleTokenNotFound(NotFound):
    """A console token unknown, expired, or of a deleted server (nova's
    controller message; its own exception is InvalidToken)."""

    msg_fmt = "Token not found"


class NetworkNotFound(NotFound):
    msg_fmt = "Network %(network_id)s could not be found."


class PortNotFound(NotFound):
    msg_fmt = "Port id %(port_id)s could not be found."


class PortNotOnInstance(NotFound):
    """What nova's os-interface show answers for another server's port."""

    msg_fmt = "Instance %(instance)s does not have a port with id %(port)s"


class VolumeNotAttached(NotFound):
    """What nova's os-volume_attachments answers for a volume the server
    does not have."""

    msg_fmt = "Instance %(instance)s is not attached to volume %(volume)s"


class MigrationNotFoundForInstance(NotFound):
    msg_fmt = ("Migration %(migration_id)s not found for instance "
               "%(instance_id)s")


# -- 409 ---------------------------------------------------------------------

class InstanceInvalidState(Conflict):
    msg_fmt = ("Cannot '%(action)s' instance %(instance_uuid)s while it is "
               "in %(attr)s %(state)s")


class UnshelveInstanceInvalidState(Conflict):
    msg_fmt = ('Specifying an availability zone or a host when unshelving '
               'server "%(instance_uuid)s" with status "%(state)s" is not '
               'supported. The server status must be SHELVED_OFFLOADED.')


class UnshelveHostNotInAZ(Conflict):
    msg_fmt = ('Host "%(host)s" is not in the availability zone '
               '"%(availability_zone)s".')


class InstanceIsLocked(Conflict):
    msg_fmt = "Instance %(instance_uuid)s is locked"


class InstanceNotReady(Conflict):
    msg_fmt = "Instance %(instance_id)s is not ready"


class FlavorExists(Conflict):
    msg_fmt = "Flavor with name %(name)s already exists."


class FlavorIdExists(Conflict):
    msg_fmt = "Flavor with ID %(flavor_id)s already exists."


class FlavorIsPublic(Conflict):
    msg_fmt = "Can not add access to a public flavor."


class FlavorAccessExists(Conflict):
    msg_fmt = ("Flavor access already exists for flavor %(flavor_id)s and "
               "project %(project_id)s combination.")


class KeyPairExists(Conflict):
    msg_fmt = "Key pair '%(key_name)s' already exists."


class PasswordAlreadySet(Conflict):
    msg_fmt = "Password already set."


class PortInUse(Conflict):
    """Invalid (400) in nova, but its os-interface answers it with 409."""

    msg_fmt = "Port %(port_id)s is still in use."


class DevicePathInUse(Conflict):
    msg_fmt = "The supplied device path (%(path)s) is in use."


class NoMoreFixedIps(Conflict):
    msg_fmt = "No fixed IP addresses available for network: %(net)s"


# -- the fleet (os-services, os-hypervisors, os-aggregates) ------------------

class ServiceNotFound(NotFound):
    msg_fmt = "Service %(service_id)s could not be found."


class HostBinaryNotFound(NotFound):
    msg_fmt = "Could not find binary %(binary)s on host %(host)s."


class ServiceUpdateNotSupported(Invalid):
    msg_fmt = ("Updating a %(binary)s service is not supported. Only "
               "nova-compute services can be updated.")


class ServiceHostsInstances(Conflict):
    msg_fmt = ("Unable to delete compute service that is hosting "
               "instances. Migrate or delete the instances first.")


class AggregateNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s could not be found."


class AggregateNameExists(Conflict):
    msg_fmt = "Aggregate %(aggregate_name)s already exists."


class AggregateHostExists(Conflict):
    msg_fmt = "Aggregate %(aggregate_id)s already has host %(host)s."


class AggregateHostNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s has no host %(host)s."


class InvalidAggregateAction(Invalid):
    """nova's InvalidAggregateAction*: ``action`` says which ("add host
    to", "remove host from", "update", "update metadata of")."""

    msg_fmt = ("Cannot %(action)s aggregate %(aggregate_id)s. "
               "Reason: %(reason)s.")
