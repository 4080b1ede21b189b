"""Print the schema as SDL: `python -m api.schema.export > api/schema/schema.graphql`."""

from api.schema import schema

if __name__ == "__main__":
    print(schema.as_str())
