# The course's grading secret must be the same for every shard, and nobody else's to read:
# $BACKPROP_LAB_SECRET when set (grade reads it first), else solutions/grading-secret of the
# instructors' checkout you run this from, readable by you only. Without either, each shard would
# make a secret of its own and ask other questions, so nothing is started.
require_grading_secret() {
  if [ -n "${BACKPROP_LAB_SECRET:-}" ]; then
    return 0
  fi
  local secret_file=solutions/grading-secret
  if [ ! -f "$secret_file" ]; then
    echo "error: no grading secret: run this from the instructors' checkout and copy the course's" \
         "solutions/grading-secret there (or set BACKPROP_LAB_SECRET)" >&2
    exit 2
  fi
  case "$(stat -c %a "$secret_file")" in
    400 | 600) ;;
    *)
      echo "error: $secret_file can be read by other users: chmod 600 $secret_file" >&2
      exit 2
      ;;
  esac
}
