"""The metadata API (paste ``metaapp``): what a guest reads about itself at 169.254.169.254.

``handler.MetadataRequestHandler`` identifies the server a request is about
and dispatches its path; ``base.InstanceMetadata`` holds one server's
OpenStack and EC2 documents; ``vendordata`` the vendor data providers;
``password`` the guest's password file; ``cache`` the per-process cache of
identified servers.
"""
